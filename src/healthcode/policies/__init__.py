"""Policies in force: each jurisdiction's activated policy versions, checked, measured for impact
on everyone before use, and activated by four eyes."""
