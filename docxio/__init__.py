from docxio.reader import read_draft
