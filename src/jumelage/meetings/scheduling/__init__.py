"""Pure-Python B2B meeting scheduler (no Django import). See jumelage.meetings.scheduler."""
