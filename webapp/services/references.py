"""Reference photos: what a task wants, shown to the group and beside each photo for judges."""

from __future__ import annotations

from webapp.photos import process_photo
from webapp.storage import LocalPhotoStore, key_for, photo_id


def store_reference(data: bytes, store: LocalPhotoStore) -> str:
    """Checks and stores the photo like an upload; returns the id the task keeps."""
    photo = process_photo(data)
    ident = photo_id()
    store.save(key_for(ident, f"original.{photo.original_format}"), photo.original)
    store.save(key_for(ident, "display.jpg"), photo.display)
    store.save(key_for(ident, "thumb.jpg"), photo.thumbnail)
    return ident
