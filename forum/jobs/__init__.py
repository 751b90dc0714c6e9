"""Periodic work (issue #12): ``flask jobs run`` runs every task that is due."""
