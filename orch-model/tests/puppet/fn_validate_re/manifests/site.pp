validate_re('one', ['^two', '^three'])
site { }
