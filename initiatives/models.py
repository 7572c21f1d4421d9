"""Initiatives, their partners, targets and savings claims."""
