"""The officer's selection pages: dashboard, screening, results, objections, exports."""
