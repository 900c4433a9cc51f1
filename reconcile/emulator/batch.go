package emulator

func (c *call) batch() resp { return noContent() }
