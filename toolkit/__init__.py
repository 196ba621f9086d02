"""toolkit: templates, collection, checks and reports for 政府信息公开工作年度报告 (2021 format)."""

__version__ = "0.1.0"
