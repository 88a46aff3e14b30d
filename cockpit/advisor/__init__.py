"""Marcus: persona, screen context, offline analyzers' voice and Claude. No Textual here."""
