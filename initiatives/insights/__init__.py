"""Collaboration compared with outsourcing: outcome rows, population figures, their pages."""
