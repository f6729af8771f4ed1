package dev.pgext.registry.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.pgext.registry.audit.AuditLog;
import dev.pgext.registry.auth.TokenIssuer;
import dev.pgext.registry.auth.Tokens;
import dev.pgext.registry.bundles.PinApprovals;
import dev.pgext.registry.caller.Caller;
import dev.pgext.registry.catalog.CatalogBrowser;
import dev.pgext.registry.distribution.Distributions;
import dev.pgext.registry.problem.RegistryException;

/**
 * Sign-in with an API token, the signed-in user's own tokens and distributions, and the
 * administrator's audit log and pending pin approvals.
 */
@Controller
class AccountPages {

	private final WebSessions sessions;

	private final Tokens tokens;

	private final TokenIssuer issuer;

	private final Distributions distributions;

	private final AuditLog audit;

	private final PinApprovals pins;

	AccountPages(WebSessions sessions, Tokens tokens, TokenIssuer issuer, Distributions distributions, AuditLog audit,
			PinApprovals pins) {
		this.sessions = sessions;
		this.tokens = tokens;
		this.issuer = issuer;
		this.distributions = distributions;
		this.audit = audit;
		this.pins = pins;
	}

	@GetMapping("/sign-in")
	String signInForm(HttpServletRequest request, HttpServletResponse response, Model model) {
		model.addAttribute("csrf", this.sessions.forSignIn(request, response).csrf());
		return "sign-in";
	}

	@PostMapping("/sign-in")
	String signIn(@RequestParam(defaultValue = "") String token, HttpServletRequest request,
			HttpServletResponse response, Model model) {
		try {
			if (token.isBlank() || token.length() > 200) {
				throw RegistryException.unauthenticated("invalid-token", "enter an API token");
			}
			this.tokens.resolve(token.strip());
		}
		catch (RegistryException ex) {
			response.setStatus(HttpStatus.UNAUTHORIZED.value());
			model.addAttribute("error", "Sign-in failed: " + ex.getMessage() + ".");
			return "sign-in";
		}
		this.sessions.signIn(request, response, token.strip());
		return "redirect:/account";
	}

	@PostMapping("/sign-out")
	String signOut(HttpServletRequest request, HttpServletResponse response) {
		this.sessions.signOut(request, response);
		return "redirect:/";
	}

	@GetMapping("/account")
	String account(Caller caller, Model model) {
		caller.requireAuthenticated();
		return accountPage(caller, model);
	}

	@PostMapping("/account/tokens")
	String createToken(Caller caller, @RequestParam(defaultValue = "") String label,
			@RequestParam(name = "scope", required = false) List<String> scopes,
			@RequestParam(defaultValue = "90") int days, Model model, HttpServletResponse response) {
		caller.requireAuthenticated();
		if (label.length() > 200 || !dev.pgext.registry.search.CatalogSearch.isText(label)) {
			throw RegistryException.badRequest("invalid-label", "a label is at most 200 characters of text");
		}
		if (days < 1 || days > 3650) {
			throw RegistryException.badRequest("invalid-expiry", "a token lives 1 to 3650 days");
		}
		Set<String> requested = (scopes != null) ? new TreeSet<>(scopes) : Set.of();
		TokenIssuer.Issued issued = this.issuer.issue(caller, null, requested,
				Instant.now().plus(Duration.ofDays(days)), label.isBlank() ? null : label.strip());
		// shown on this response only, never stored or redirected with
		response.setHeader("Cache-Control", "no-store");
		model.addAttribute("issued", issued);
		return accountPage(caller, model);
	}

	@PostMapping("/account/tokens/{id}/revoke")
	String revokeToken(Caller caller, @PathVariable long id) {
		caller.requireAuthenticated();
		this.issuer.revoke(caller, id);
		return "redirect:/account";
	}

	@GetMapping("/admin")
	String admin(Caller caller, Model model) {
		caller.requireScope(Caller.ADMIN);
		model.addAttribute("events", this.audit.latest(100));
		model.addAttribute("pending", this.pins.pending(caller));
		return "admin";
	}

	private String accountPage(Caller caller, Model model) {
		model.addAttribute("tokens", this.issuer.own(caller));
		model.addAttribute("maintained",
				this.distributions.maintainedBy(caller.name(), CatalogBrowser.tenantScope(caller)));
		model.addAttribute("grantable",
				caller.isAdmin() ? new TreeSet<>(Caller.ALL_SCOPES) : new TreeSet<>(caller.scopes()));
		return "account";
	}

}
