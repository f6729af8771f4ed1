package dev.pgext.loader.compute;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

import dev.pgext.loader.compute.Compute.Phase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The compute's phase moves only forward: a second spec is refused, a crash reported
 * while start-up finishes is never overwritten by {@code RUNNING}, and readiness follows
 * the moves into and out of {@code RUNNING}.
 */
class ComputeStateTests {

	private final List<ReadinessState> readiness = new ArrayList<>();

	private final ComputeState state = new ComputeState((event) -> {
		if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof ReadinessState ready) {
			this.readiness.add(ready);
		}
	}, this);

	@Test
	void aComputeStartsOnceAndIsReadyOnlyWhenRunning() {
		this.state.starting();
		assertThatExceptionOfType(ComputeAlreadyStartedException.class).isThrownBy(this.state::starting);
		assertThat(this.readiness).isEmpty();
		assertThat(this.state.running()).isTrue();
		assertThat(this.state.phase()).isEqualTo(Phase.RUNNING);
		assertThat(this.readiness).containsExactly(ReadinessState.ACCEPTING_TRAFFIC);
	}

	@Test
	void aCrashDuringStartUpIsAFailedStartThatRunningCannotOverwrite() {
		this.state.starting();
		this.state.crashed("postgres exited with 1");
		assertThat(this.state.running()).isFalse();
		assertThat(this.state.get())
			.isEqualTo(new ComputeState.Snapshot(Phase.FAILED, "start-up failed: postgres exited with 1"));
		this.state.failed("a later reason");
		assertThat(this.state.get().problem()).isEqualTo("start-up failed: postgres exited with 1");
		assertThat(this.readiness).isEmpty();
	}

	@Test
	void aCrashWhileRunningRefusesTrafficAndAStopDoesNotHideIt() {
		this.state.starting();
		this.state.running();
		this.state.crashed("postgres exited with 137");
		this.state.stopped();
		assertThat(this.state.get()).isEqualTo(new ComputeState.Snapshot(Phase.FAILED, "postgres exited with 137"));
		assertThat(this.readiness).containsExactly(ReadinessState.ACCEPTING_TRAFFIC, ReadinessState.REFUSING_TRAFFIC);
	}

	@Test
	void aStoppedComputeNeverRunsAgain() {
		this.state.starting();
		this.state.stopped();
		assertThat(this.state.running()).isFalse();
		assertThat(this.state.phase()).isEqualTo(Phase.STOPPED);
		assertThatExceptionOfType(ComputeAlreadyStartedException.class).isThrownBy(this.state::starting);
	}

}
