validate_re('one', '^two', 'one is not two')
site { }
