"""Pure analysis over model dataclasses: no I/O, no Textual."""
