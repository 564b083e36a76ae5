warning(String(match('abc', /(b)(c)/)))
site { }
