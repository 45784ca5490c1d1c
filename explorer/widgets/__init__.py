"""Reusable Qt pieces shared by the panels."""
