"""The HTTP edge: FastAPI app, routes, DTOs and the one place errors become responses."""
