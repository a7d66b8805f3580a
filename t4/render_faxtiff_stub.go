package t4

import "errors"

// readFaxTIFF: temporary until ReadTIFF lands.
func readFaxTIFF(data []byte) ([]*Page, error) { return nil, errors.New("ReadTIFF not yet available") }
