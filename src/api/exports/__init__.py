"""File edges: spreadsheets (`xlsx`), CSV cells and Word documents (`docx`) written from read
models, and workbooks read back in (`ledger_import`). Nothing here decides: the writers lay out
rows a query already answered, and an import turns rows into the ordinary commands."""
