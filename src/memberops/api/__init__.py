"""The REST API: the app factory, RFC 9457 problem documents, the request size limit, and the
mounting of every room's router under ``/api/v1``."""
