"""What a collection or a check is written as.

Each writer takes plain data (a ``Collection``, a report dict, a ``Filled``) and returns bytes
or writes files atomically inside the output folder: ``summary`` (findings.json/csv, data.json,
summary.xlsx), ``records`` (data.json's encoding, made by the workers), ``report_docx`` (one
agency's report and the combined one, laid out from the format), ``docx_writer`` (the DOCX
XML), ``reports`` (collect's DOCX stage), ``atomic`` and ``safepath`` (how files are written).
"""
