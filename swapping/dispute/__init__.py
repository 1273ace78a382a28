"""The dispute game: two-level bisection from A's snapshots down to one AB step, judged by a referee."""
