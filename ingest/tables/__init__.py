"""Parsers for table kinds: the standard 公开01–09表 and anything else that is a grid."""
