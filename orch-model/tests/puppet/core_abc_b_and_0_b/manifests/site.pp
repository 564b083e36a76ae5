warning(String('abc' =~ /b/ and $0 == 'b'))
site { }
