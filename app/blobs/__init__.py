"""Housekeeping of the blob storage (app/core/storage.py): the orphan sweep and the move to S3."""
