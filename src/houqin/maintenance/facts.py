"""Facts of the maintenance module (figures of the work summary, each linking to exactly its jobs)."""
