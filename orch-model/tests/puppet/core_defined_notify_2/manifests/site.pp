warning(String(defined('notify')))
site { }
