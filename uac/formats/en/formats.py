"""Date formats for the back office: times to the second, with their zone.

The journal's steps follow each other within seconds, and staff compare
times with PowerCode's and Utopia's, so each time shows seconds and zone.
"""

DATETIME_FORMAT = "N j, Y, g:i:s a T"
SHORT_DATETIME_FORMAT = "m/d/Y g:i:s a T"
