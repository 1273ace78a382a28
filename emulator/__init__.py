"""Machine AB: the RV64IM reference step, its Merkle tree, step proofs and the Unicorn engine.

This package imports neither Unicorn (except in `emulator.unicorn_engine`) nor py-evm.
"""
