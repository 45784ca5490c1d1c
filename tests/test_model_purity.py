import subprocess
import sys


def test_model_never_imports_qt():
    code = (
        "import sys, pkgutil, importlib, explorer.model as m\n"
        "for info in pkgutil.iter_modules(m.__path__):\n"
        "    importlib.import_module('explorer.model.' + info.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
        "{'PySide6', 'shiboken6', 'pyqtgraph', 'matplotlib'} "
        "or (n.startswith('explorer.') and not n.startswith('explorer.model')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
