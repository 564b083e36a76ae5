unless false { warning('u') }
site { }
