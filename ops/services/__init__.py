"""State changes of the operations app: backups and restores (backups.py)."""

from .backups import BackupError, BackupResult, RestoreResult, create_backup, prune_backups, restore_backup

__all__ = ["BackupError", "BackupResult", "RestoreResult", "create_backup", "prune_backups", "restore_backup"]
