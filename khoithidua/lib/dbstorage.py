"""The default file storage: files in PostgreSQL (table khoithidua_storedfile).

Every app server sees the same files (a scan uploaded through server A downloads from server B),
the backups are one `pg_dump`, and a file saved inside a transaction that rolls back disappears
with it: a failed upload leaves no orphan. Meant for the app's documents (scans, signed PDFs,
signature images; a few MB each): operators with object storage set FILE_STORAGE otherwise.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.deconstruct import deconstructible


@deconstructible
class DatabaseStorage(Storage):
    def _model(self):
        from khoithidua.models import StoredFile

        return StoredFile

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("DatabaseStorage files are read-only once saved")
        content = self._model().objects.filter(name=name).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(name)
        return ContentFile(bytes(content), name=name)

    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(content.chunks()) if hasattr(content, "chunks") else content.read()
        model = self._model()
        candidate = name
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    model.objects.create(name=candidate, content=data, size=len(data))
                return candidate
            except IntegrityError:  # another server took the name in between
                stem, dot, ext = name.rpartition(".")
                suffix = get_random_string(7)
                candidate = f"{stem}_{suffix}.{ext}" if dot else f"{name}_{suffix}"
        raise OSError(f"could not find a free name for {name}")

    def delete(self, name):
        self._model().objects.filter(name=name).delete()

    def exists(self, name):
        """A file of that name, or a "directory" (a prefix of file names), as on a disk."""
        files = self._model().objects
        return (
            files.filter(name=name).exists()
            or files.filter(name__startswith=f"{name.rstrip('/')}/").exists()
        )

    def size(self, name):
        size = self._model().objects.filter(name=name).values_list("size", flat=True).first()
        if size is None:
            raise FileNotFoundError(name)
        return size

    def listdir(self, path):
        prefix = f"{path.rstrip('/')}/" if path else ""
        names = self._model().objects.filter(name__startswith=prefix).values_list("name", flat=True)
        dirs, files = set(), []
        for full in names:
            rest = full[len(prefix) :]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
            else:
                files.append(rest)
        return sorted(dirs), sorted(files)

    def get_created_time(self, name):
        created = self._model().objects.filter(name=name).values_list("created_at", flat=True)
        if not created:
            raise FileNotFoundError(name)
        return created[0]

    get_modified_time = get_created_time
    get_accessed_time = get_created_time
