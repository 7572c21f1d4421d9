"""The collaboration health check: each partner's periodic check-in on the barriers to
collaboration, its periods, who may see and answer it, the answers' medians and trends, and the
weekly reminders of check-ins due."""
