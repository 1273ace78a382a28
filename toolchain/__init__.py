"""The pinned cross-compiler driver and the image checker for guest programs."""
