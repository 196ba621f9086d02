"""LibreOffice headless as the clerk's spreadsheet program (tests, samples, benchmarks, PDF).

Never imported on the check or collect path. ``driver.Office`` sends requests to
``worker.py``, run by the system Python that has ``python3-uno``.
"""
