"""Demo data for `manage.py load_demo_data`: Hà Nội's units, stories, pictures and documents.

Everything here is plain data and pure generation; `models_registry.services.demo` writes it.
"""
