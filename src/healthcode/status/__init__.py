"""Status: facts recorded about a person and the status they give now, cached until it can change,
every change of colour in the person's history; declarations, test results, manual colours and
releases."""
