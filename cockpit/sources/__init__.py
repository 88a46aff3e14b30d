"""Sources do I/O and return cockpit.model dataclasses. Nothing here imports Textual."""
