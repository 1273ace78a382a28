"""Machine A: the essential state S, its canonical encoding, and whole-block steps on py-evm."""
