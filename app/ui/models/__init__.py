"""Qt item models of the mail screens (folders, message lists): plain rows in, no SQL."""
