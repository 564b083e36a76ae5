define db::client(Optional[Sensitive] $password = undef) { }
