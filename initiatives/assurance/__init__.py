"""Risk-based audit sampling of verified claims (/assurance/): auditors draw, check and record."""
