"""Deletion requests (the right to be forgotten): erase a person from every layer."""
