"""Scheduled reminder emails: each week, to managers, the claims long awaiting their decision;
each month, to the lead's officers, the live initiatives with a target and no recent claim.
One email per person per run, recorded so that a retried or repeated run sends it once."""
