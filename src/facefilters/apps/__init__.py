"""The programs built on the pipeline: files (apply, inspect), the live window, the lesson."""
