"""Data platform for county petition bureaus."""
