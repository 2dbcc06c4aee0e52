package ui

import (
	"context"
	"fmt"
	"net"

	"fyne.io/fyne/v2/widget"

	"lockbox/client"
	"lockbox/ui/trustui"
)

// ShowTrustManager opens "Trusted servers and CAs": the pins and the CAs
// trusted beyond the system's, to show, export, check or remove.
func (w *MainWindow) ShowTrustManager() {
	if w.deps.Pins == nil && w.deps.TrustedCAs == nil {
		w.setStatus("Neither the pinned certificates nor the trusted CAs could be opened.", widget.WarningImportance)
		return
	}
	opts := trustui.Options{Do: w.runUI, Now: w.deps.Now, Check: w.checkPin}
	if st := w.deps.Sites; st != nil {
		opts.SiteCAs = st.CAFileCerts
	}
	trustui.Show(w.app, w.deps.Pins, w.deps.TrustedCAs, opts)
}

// checkPin connects to a pinned server (FTPS on 990, HTTPS on 443, else
// explicit FTPS) and says whether it still shows the pinned certificate.
func (w *MainWindow) checkPin(ctx context.Context, hostPort string) (string, error) {
	_, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return "", err
	}
	scheme := "ftpes"
	switch port {
	case "990":
		scheme = "ftps"
	case "443":
		scheme = "https"
	}
	t, err := client.ParseURL(scheme + "://" + hostPort)
	if err != nil {
		return "", err
	}
	rep, err := w.deps.Inspect(ctx, t, client.Options{Pins: w.deps.Pins, TrustedCAs: w.deps.TrustedCAs, Timeout: w.settings.Timeout()})
	if rep == nil {
		return "", err
	}
	switch rep.Trust {
	case client.TrustPinned, client.TrustVerified:
		return fmt.Sprintf("%s still shows the pinned certificate (%s).", hostPort, rep.Trust), nil
	case client.TrustPinChanged:
		return fmt.Sprintf("%s now shows ANOTHER certificate: %s", hostPort, rep.PinChange.Verdict), nil
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s: %s", hostPort, rep.Trust), nil
}
