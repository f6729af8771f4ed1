package dev.pgext.loader.compute;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * The loader is ready only while its Postgres accepts connections: until then (and after
 * a crash) the readiness state is {@code REFUSING_TRAFFIC}, whatever the application
 * itself says.
 */
@Component("applicationAvailability")
public class ComputeAvailability extends ApplicationAvailabilityBean {

	private final ObjectProvider<Compute> compute;

	ComputeAvailability(ObjectProvider<Compute> compute) {
		this.compute = compute;
	}

	@Override
	public <S extends AvailabilityState> S getState(Class<S> stateType, S defaultState) {
		return gate(stateType, super.getState(stateType, defaultState));
	}

	@Override
	public <S extends AvailabilityState> S getState(Class<S> stateType) {
		return gate(stateType, super.getState(stateType));
	}

	private <S extends AvailabilityState> S gate(Class<S> stateType, S state) {
		if (stateType == ReadinessState.class && state == ReadinessState.ACCEPTING_TRAFFIC) {
			Compute current = this.compute.getIfAvailable();
			if (current == null || !current.isRunning()) {
				return stateType.cast(ReadinessState.REFUSING_TRAFFIC);
			}
		}
		return state;
	}

}
