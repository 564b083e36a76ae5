# Presence only.
