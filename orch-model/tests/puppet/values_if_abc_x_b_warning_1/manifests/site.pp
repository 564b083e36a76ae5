if 'abc' =~ /(?<x>b)/ { warning($1) }
site { }
