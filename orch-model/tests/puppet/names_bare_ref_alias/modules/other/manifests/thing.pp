define other::extra() { }
Other::Extra produces Cap { }
